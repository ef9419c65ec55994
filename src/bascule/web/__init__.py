"""The web console: server-rendered pages in French on the same school operations and the same
policy module as the CLI. Works without JavaScript."""
