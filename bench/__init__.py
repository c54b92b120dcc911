"""The performance benchmark: a generator that loads a statewide data set at a chosen
scale (``python -m bench.generate``) and a runner that measures the pages of each
role against a bare authenticated view (``python -m bench.run``). See the README's
"Performance" section."""
