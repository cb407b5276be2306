"""The kernel: what every other part of the hub and every connector may rely on.

Settings, the error tree, logging, the offer schema and vocabularies, the NRW gazetteer, language
names, the HTML sanitiser and the one safe fetcher. It imports nothing of the project outside
itself, so connectors can use it without pulling in the search engine, Redis or Celery.
"""
