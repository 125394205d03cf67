"""Human review of a judge's labels: sample answers, label them in a page, correct the report's statistics.

`answers` decides which answers count and their review cells; `sample` draws the
stratified sample; `files` writes and strictly reads the review CSV; `page` renders the
self-contained labelling page; `correct` carries the labels into report data (with the
estimator in `auditor.stats.ppi`).
"""
