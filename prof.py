import time, sys, shutil
from inspect_ai import eval, eval_set, Task
from inspect_ai.dataset import json_dataset, FieldSpec
from inspect_ai.solver import generate
import auditor._registry
from auditor.tasks import safeguards
mode=sys.argv[1]
shutil.rmtree('logs-'+mode, ignore_errors=True)
t=time.perf_counter()
if mode=='bare':
    eval(Task(dataset=json_dataset('suite.jsonl', FieldSpec(input="prompt", id="id")), solver=generate()), model='replay/a.jsonl', log_dir='logs-'+mode, display='none', max_connections=256)
elif mode=='scored':
    eval(safeguards(suite='suite.jsonl', judge='keywords'), model='replay/a.jsonl', log_dir='logs-'+mode, display='none', max_connections=256)
elif mode=='set':
    eval_set(safeguards(suite='suite.jsonl', judge='keywords'), model='replay/a.jsonl', log_dir='logs-'+mode, display='none', max_connections=256, fail_on_error=False, log_dir_allow_dirty=True)
print(mode, time.perf_counter()-t)
