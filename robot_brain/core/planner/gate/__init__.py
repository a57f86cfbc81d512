"""The plan safety gate (issue 28): every plan, whichever tier wrote it, is checked against the
words of the instruction it answers before the executive runs it. docs/plan_gate.md."""
