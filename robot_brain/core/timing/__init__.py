"""Timing of the fixed-rate loops and what explains a late one: loop accounting, rolling
statistics, the calling thread's usage, the CPU wake-up latency request, keyed throttling."""
