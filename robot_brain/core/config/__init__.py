"""Settings: parameters declared once on config dataclasses, parameter files, the checks
across nodes, and which nodes share a process."""
