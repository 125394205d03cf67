"""Training and measurement of the offline judge (used by scripts/ and benchmarks/, never at judge time).

`sources` reads the labelled response sets in ../shared/datasets by path (never copying
them into the repository), `safe_pickle` opens the pickled ones without executing
anything, and `loso` measures a model the sceptical way: train on every source but one,
test on the one left out.
"""
