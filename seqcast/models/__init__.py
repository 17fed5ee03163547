"""Models as pure functions over parameter trees (rnn.py) and classical baselines (baselines.py)."""
