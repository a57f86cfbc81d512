"""Power: what the robot draws, how long it can last, and how much thinking it can afford."""
