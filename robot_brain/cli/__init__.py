"""The `robot-brain` command: demo, report and install helpers."""
