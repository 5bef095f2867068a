"""Business hours: a weekly schedule of opening intervals, dated exceptions, and whether a moment falls inside."""
