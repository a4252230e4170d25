# Builds enterprise-attack-18.1-trimmed.json from the unpacked 18.1 bundle; see README.md.
# Usage: python3 trim.py OUTPUT (in the directory holding enterprise-attack-18.1.json)
import json,collections,sys
d=json.load(open('enterprise-attack-18.1.json')); objs=d['objects']
byid={o['id']:o for o in objs}
def ext(o):
  for e in o.get('external_references',[]):
    if e['source_name']=='mitre-attack' and 'external_id' in e: return e['external_id']
byext=collections.defaultdict(list)
for o in objs:
  if ext(o): byext[(o['type'],ext(o))].append(o)
rels=[o for o in objs if o['type']=='relationship']
keep=set()
def add(t,e):
  for o in byext[(t,e)]: keep.add(o['id'])
for e in ['G1005','G0016','G0118','G0014','G0017','G0002','G0023']: add('intrusion-set',e)
add('campaign','C0024')
for e in ['S1023','S1024']: add('malware',e)
add('tool','S0677') if byext[('tool','S0677')] else None
add('malware','S0677')
# choose APT29's smallest software
apt29=byext[('intrusion-set','G0016')][0]['id']
sw=[r['target_ref'] for r in rels if r['source_ref']==apt29 and r['relationship_type']=='uses' and r['target_ref'].split('--')[0] in ('malware','tool')]
swc=sorted(sw,key=lambda s: sum(1 for r in rels if r['source_ref']==s and r['relationship_type']=='uses'))
keep.update(swc[:2])
# techniques used
users=set(keep)
for r in rels:
  if r['relationship_type']=='uses' and r['source_ref'] in users and r['target_ref'].startswith('attack-pattern'): keep.add(r['target_ref'])
# revoked technique with replacement, deprecated technique
rb=[r for r in rels if r['relationship_type']=='revoked-by' and r['source_ref'].startswith('attack-pattern') and r['target_ref'] in keep]
keep.add(rb[0]['source_ref']); print('revoked', ext(byid[rb[0]['source_ref']]), '->', ext(byid[rb[0]['target_ref']]))
dep=[o for o in objs if o['type']=='attack-pattern' and o.get('x_mitre_deprecated')]
keep.add(dep[0]['id']); print('deprecated', ext(dep[0]), dep[0]['name'])
# parents
for r in rels:
  if r['relationship_type']=='subtechnique-of' and r['source_ref'] in keep: keep.add(r['target_ref'])
# mitigations
for r in rels:
  if r['relationship_type']=='mitigates' and r['target_ref'] in keep: keep.add(r['source_ref'])
add('course-of-action','T1174')
# structural
for o in objs:
  if o['type'] in ('x-mitre-collection','x-mitre-matrix','x-mitre-tactic','identity','marking-definition'): keep.add(o['id'])
# one detection strategy + analytic (exercise skipping)
ds=[o for o in objs if o['type']=='x-mitre-detection-strategy'][0]; keep.add(ds['id'])
an=[o for o in objs if o['type']=='x-mitre-analytic'][0]; keep.add(an['id'])
out=[]
for o in objs:
  if o['id'] in keep:
    o=dict(o)
    if o['type']=='x-mitre-collection':
      o['x_mitre_contents']=[c for c in o['x_mitre_contents'] if c['object_ref'] in keep][:20]
    if o['type']=='attack-pattern' and 'description' in o: o['description']=o['description'].split('\n\n')[0][:600]
    if 'external_references' in o:
      o['external_references']=[e for e in o['external_references'] if e['source_name'].startswith('mitre')] or o['external_references'][:1]
    out.append(o)
for r in rels:
  if r['source_ref'] in keep and r['target_ref'] in keep:
    r=dict(r)
    if 'description' in r:
      if len(out)%10: del r['description']
      else: r['description']=r['description'][:60]
    r.pop('external_references',None)
    out.append(r)
d['objects']=out
s='{"type": "bundle", "id": '+json.dumps(d['id'])+', "objects": [\n'+',\n'.join(json.dumps(o,ensure_ascii=False) for o in out)+'\n]}\n'
open(sys.argv[1],'w').write(s)
print(len(out), len(s), collections.Counter(o['type'] for o in out))
