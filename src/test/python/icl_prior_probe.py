"""Does a previous-token prior speed up in-context copying in a tiny Llama/Qwen2-shaped model?

Plain PyTorch, the shape of the bundled model (d=128, 4 heads, RoPE, RMSNorm, SwiGLU, --L layers),
trained from scratch on synthetic tasks (decision 0008, sessions 6-10):
  --task repeat   random segments of 10-30 tokens (from --V) repeated to fill the row:
                  accuracy on the repeated tokens (an induction head's job)
  --task wordmap  "item SEP SEP label NL" lines, 3-7 items per row with labels drawn per row:
                  label accuracy on items seen before in the row (reading a mapping from context)
  --task curriculum  repeat until --switch, then wordmap: does a formed copy read a mapping?
                  (at --gap 0 at once, at --gap 2 not in 400 steps)
  --task classmap / curriculum-classmap  items of two fixed classes (item % 2), a label per class
                  drawn per row: label accuracy once the class was seen (reading by a feature);
                  --ladder N widens the gap by one every N steps after --switch, from 0 to --gap
  --task reviewmap / curriculum-reviewmap  a review in miniature: the item among 0-3 fillers before
                  and 0-2 after, then ": label" (the item at a varying distance from its label)
  --fixed 0.3 --tag 1: rows with one fixed label pair, and a class token after each
                  label; the log then prints the fixed rows' accuracy beside the in-context one, and
                  the accuracy on rows written without tags ("untagged"): a tag after the
                  label marks the class in the context, so "accuracy" with tags is not reading
  --tag-place before --tag-rows 0.5: the tag between the colon and the label, in half
                  the rows (what the bundled model's corpus does)
--pos: rope (default) | learned (absolute position embeddings, as GPT-2); --block llama | gpt2.
--prior: none | prev (head 0 of layer 0 starts attending one token back through q/k biases, as
`pretrain --previous-token-heads 1` does; --prior-layer moves it) | offsets (heads 0-2 start 1, 2, 3
tokens back) | chain (layer 0 --gap back, layer 1 one back) | prev+recent (head 1 favours the last ~8).
  /usr/bin/python3 src/test/python/icl_prior_probe.py --task repeat --prior prev --steps 800
  /usr/bin/python3 src/test/python/icl_prior_probe.py --task curriculum-classmap --gap 1 --L 3 \
      --fixed 0.3 --tag 1 --prior prev --switch 400 --steps 2000    (reads from ~step 750)
"""
import torch, time, math, argparse, torch.nn as nn, torch.nn.functional as F
ap=argparse.ArgumentParser(); ap.add_argument('--prior',default='none'); ap.add_argument('--steps',type=int,default=600)
ap.add_argument('--B',type=int,default=8); ap.add_argument('--T',type=int,default=128); ap.add_argument('--lr',type=float,default=2e-3)
ap.add_argument('--L',type=int,default=2); ap.add_argument('--seed',type=int,default=0); ap.add_argument('--gap',type=int,default=2)
ap.add_argument('--task',default='wordmap',help='repeat, wordmap, classmap, curriculum or curriculum-classmap (repeat until --switch)')
ap.add_argument('--switch',type=int,default=600); ap.add_argument('--ladder',type=int,default=0,help='after --switch, widen the gap by one every this many steps, from 0 up to --gap'); ap.add_argument('--V',type=int,default=1000)
ap.add_argument('--pos',default='rope',help='rope, or learned: absolute position embeddings (GPT-2)')
ap.add_argument('--items',type=int,default=200,help='distinct items (two classes by parity)')
ap.add_argument('--fixed',type=float,default=0,help='classmap/reviewmap: this share of rows names the classes with one pair fixed for the whole run')
ap.add_argument('--tag',type=int,default=0,help='classmap/reviewmap: a token of the item class right after each label, so the label position must hold the class')
ap.add_argument('--tag-place',default='after',help='after: the tag follows the label; before: it sits between the colon and the label')
ap.add_argument('--tag-rows',type=float,default=1.0,help='the share of rows that write the tag (with --tag)')
ap.add_argument('--skip',type=int,default=0,help='curriculum: repeated segments with --gap separators after each token instead of plain repeats')
ap.add_argument('--prior-layer',type=int,default=0,help='the layer whose head 0 --prior prev sets')
ap.add_argument('--recent',type=float,default=3.0,help='bias size of the recency head (--prior prev+recent)')
ap.add_argument('--threads',type=int,default=2)
ap.add_argument('--block',default='llama',help='llama (RMSNorm, SwiGLU) or gpt2 (LayerNorm, tanh GELU MLP of 4d)')
a=ap.parse_args(); torch.manual_seed(a.seed); torch.set_num_threads(a.threads)
d=128; H=4; hd=d//H; T=a.T; NI=a.items; NL=40; V={'repeat':a.V,'reviewmap':NI+NL+a.gap+3+1+20,'wordmap':NI+NL+a.gap+1,'classmap':NI+NL+a.gap+3}.get(a.task,max(a.V,NI+NL+a.gap+3+1+20))
inv=1.0/(10000**(torch.arange(0,hd,2).float()/hd))
pos=torch.arange(T).float()[:,None]*inv[None]; cos=torch.cat([pos.cos()]*2,-1); sin=torch.cat([pos.sin()]*2,-1)
def rot(x): return torch.cat([-x[...,hd//2:],x[...,:hd//2]],-1)
def rope(x):
    if a.pos!='rope': return x
    t=x.shape[2]; return x*cos[:t]+rot(x)*sin[:t]
class RMS(nn.Module):
    def __init__(s): super().__init__(); s.w=nn.Parameter(torch.ones(d))
    def forward(s,x): return x*torch.rsqrt(x.pow(2).mean(-1,keepdim=True)+1e-5)*s.w
def Norm(): return nn.LayerNorm(d) if a.block=='gpt2' else RMS()
class Blk(nn.Module):
    def __init__(s):
        super().__init__(); s.n1=Norm(); s.q=nn.Linear(d,d); s.k=nn.Linear(d,d); s.v=nn.Linear(d,d); s.o=nn.Linear(d,d,bias=False); s.n2=Norm()
        s.g=nn.Linear(d,352,bias=False); s.u=nn.Linear(d,352,bias=False); s.dn=nn.Linear(352,d,bias=False)
        s.fc=nn.Linear(d,4*d); s.proj=nn.Linear(4*d,d)
    def forward(s,x):
        b,t,_=x.shape; h=s.n1(x); q,k,v=[z(h).view(b,t,H,hd).transpose(1,2) for z in (s.q,s.k,s.v)]
        att=(rope(q)@rope(k).transpose(-1,-2))/hd**0.5
        att=att.masked_fill(torch.triu(torch.ones(t,t,dtype=torch.bool),1),float('-inf')).softmax(-1)
        x=x+s.o((att@v).transpose(1,2).reshape(b,t,d))
        if a.block=='gpt2': return x+s.proj(F.gelu(s.fc(s.n2(x)),approximate='tanh'))
        return x+s.dn(F.silu(s.g(s.n2(x)))*s.u(s.n2(x)))
class M(nn.Module):
    def __init__(s):
        super().__init__(); s.e=nn.Embedding(V,d); s.p=nn.Embedding(T,d); s.b=nn.ModuleList([Blk() for _ in range(a.L)]); s.n=Norm()
        for p in s.modules():
            if isinstance(p,(nn.Linear,nn.Embedding)): nn.init.normal_(p.weight,0,0.02)
            if isinstance(p,nn.Linear) and p.bias is not None: nn.init.zeros_(p.bias)
    def forward(s,x):
        h=s.e(x)+(s.p(torch.arange(x.shape[1])) if a.pos=='learned' else 0)
        for b in s.b: h=b(h)
        return s.n(h)@s.e.weight.T
m=M()
def setprior(head, pairs, peak, c, layer=0):
    b=m.b[layer]
    with torch.no_grad():
        for f in pairs:
            th=inv[f].item(); b.k.bias[head*hd+f]=c; b.q.bias[head*hd+f]=c*math.cos(peak*th); b.q.bias[head*hd+f+hd//2]=-c*math.sin(peak*th)
if a.prior=='prev': setprior(0,range(hd//2),1,9.0,layer=a.prior_layer)
if a.prior=='offsets':
    for h,off in enumerate([1,2,3]): setprior(h,range(hd//2),off,9.0)
if a.prior=='chain':
    # layer 0 head 0 reads the item --gap tokens back (so the last separator holds it), layer 1
    # head 0 the previous token (so the label holds it too): an induction head in layer 2 can match
    setprior(0,range(hd//2),max(a.gap,1),9.0); setprior(0,range(hd//2),1,9.0,layer=1); setprior(1,range(hd//2),1,9.0)
if a.prior=='prev+recent':
    # head 1 starts favouring the last ~15 tokens (one slow rotary pair each side of 0.1 rad per
    # token, peak at offset 0); what it gathers there is left to its learned content weights
    setprior(0,range(hd//2),1,9.0); setprior(1,[3,4],0,a.recent)
opt=torch.optim.AdamW(m.parameters(),a.lr,weight_decay=0.01)
g=torch.Generator().manual_seed(a.seed+1)
SEP=list(range(NI+NL,NI+NL+a.gap)); NLt=NI+NL+a.gap
def doc():
    items=torch.randperm(NI,generator=g)[:int(torch.randint(3,8,(1,),generator=g))].tolist()
    labs=(NI+torch.randperm(NL,generator=g)[:int(torch.randint(2,4,(1,),generator=g))]).tolist()
    ass={it:labs[i] if i<len(labs) else labs[int(torch.randint(0,len(labs),(1,),generator=g))] for i,it in enumerate(items)}
    ids=[];w=[];seen=set()
    while len(ids)<T+1:
        it=items[int(torch.randint(0,len(items),(1,),generator=g))]
        ids+= [it]+SEP+[ass[it],NLt]; w+=[0]*(1+a.gap)+[2 if it in seen else 1,0]; seen.add(it)
    return ids[:T+1],w[:T+1]
def gap_at(i):
    return a.gap if not a.ladder else min(a.gap, max(0, i-a.switch-1)//a.ladder)
NF=20; COLON=NI+NL+a.gap+3
def fillers(most):
    return [COLON+1+int(torch.randint(0,NF,(1,),generator=g)) for _ in range(int(torch.randint(0,most+1,(1,),generator=g)))]
def twoclass(around, tags):
    # items of two fixed classes (item % 2), one label per class drawn per row: a new item is
    # answered only by matching its class against the demonstrations (as a review's polarity);
    # around(item) gives the tokens before the item and between it and its label
    labs=(NI+2+torch.randperm(NL-2,generator=g)[:2]).tolist(); ids=[];w=[];seen=set()
    fixed=torch.rand(1,generator=g).item()<a.fixed
    if fixed: labs=[NI,NI+1]   # a fixed pair for the whole corpus: the class is learned in the weights
    tagged=a.tag and tags and torch.rand(1,generator=g).item()<a.tag_rows
    while len(ids)<T+1:
        it=int(torch.randint(0,NI,(1,),generator=g)); c=it%2; before,after=around(it)
        tag=[NLt+1+c] if tagged else []
        answer=tag+[labs[c]] if a.tag_place=='before' else [labs[c]]+tag
        lw=3 if fixed else 2 if c in seen else 1
        ids+=before+[it]+after+answer+[NLt]; w+=[0]*(len(before)+1+len(after))+[lw if t==labs[c] else 0 for t in answer]+[0]
        seen.add(c)
    return ids[:T+1],w[:T+1]
def classmap(i, tags):
    return twoclass(lambda it: ([], SEP[:gap_at(i)]), tags)
def reviewmap(i, tags):
    # a review in miniature: the item among 0-3 neutral fillers before and 0-2 after, then ': label':
    # it sits a varying distance before the label, so no fixed-offset head finds it; reading needs
    # a head that gathers the recent item (as a review's polarity)
    return twoclass(lambda it: (fillers(3), fillers(2)+[COLON]), tags)
def skiprepeat():
    # a repeated segment whose tokens are each followed by the --gap separators: predicting the
    # next segment token after the separators needs the match the class map needs at that gap
    n=int(torch.randint(6,16,(1,),generator=g)); seg=torch.randint(0,NI,(n,),generator=g).tolist()
    unit=sum([[t]+SEP for t in seg],[]); u=len(unit); ids=(unit*(T//u+2))[:T+1]
    return ids,[0]*u+[2 if k%(1+a.gap)==0 else 0 for k in range(T+1-u)]
def repeat():
    n=int(torch.randint(10,31,(1,),generator=g)); seg=torch.randint(0,V,(n,),generator=g).tolist()
    ids=(seg*(T//n+2))[:T+1]; return ids,[0]*n+[2]*(T+1-n)
def batch(i, tags=True):
    # tags=False writes the demonstrations without tags, as a real prompt does: what reading is measured on
    maps=a.task in ('wordmap','classmap','reviewmap') or (a.task.startswith('curriculum') and i>a.switch)
    mapping=(lambda: classmap(i,tags)) if 'classmap' in a.task else (lambda: reviewmap(i,tags)) if 'reviewmap' in a.task else doc
    xs,ws=zip(*[(mapping() if maps else skiprepeat() if a.skip else repeat()) for _ in range(a.B)]); return torch.tensor(xs),torch.tensor(ws)
t0=time.time()
for i in range(1,a.steps+1):
    for pg in opt.param_groups: pg['lr']=a.lr*min(1,i/100)
    x,w=batch(i); lo=m(x[:,:-1]); loss=F.cross_entropy(lo.reshape(-1,V),x[:,1:].reshape(-1))
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(),1.0); opt.step()
    if i%50==0:
        with torch.no_grad():
            x,w=batch(i); ok=(m(x[:,:-1]).argmax(-1)==x[:,1:]); acc=ok[w[:,1:]==2].float().mean().item()
            fx=ok[w[:,1:]==3].float().mean().item() if (w==3).any() else float('nan')
            x,w=batch(i,tags=False); ok=(m(x[:,:-1]).argmax(-1)==x[:,1:])
            plain=ok[w[:,1:]==2].float().mean().item()
        print(f"step {i} loss {loss.item():.3f} accuracy {acc:.2f} untagged {plain:.2f} fixed {fx:.2f} {time.time()-t0:.0f}s",flush=True)
