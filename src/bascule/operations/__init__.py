"""The use cases: each chains the stages (exports -> snapshot -> plan -> store -> targets /
spaces / feeds -> verification) for one job of the year: a campaign, a school's day, its targets,
spaces, feeds and verification. The only layer the CLI and the console call; it may import every
stage below it, never cli/ or web/."""
