"""Planning reports for youth welfare planning (Bestandsaufnahme): coverage, gaps, trend and
search demand per municipality, Jugendamt area, district or the state (docs/planning.md)."""
