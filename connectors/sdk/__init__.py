"""The connector SDK: the plumbing every connector module shares.

`base` (the contract: config, cursor, raw record, `Connector`), `registry` (entry points),
`paging` (conditional GET, retries of one page, next links), `robots` (robots.txt and crawl
delay), `xmlsafe` (defused XML), `detect` (which kind a URL is), `mapping` (declarative
JSON/XML/table mappings), `recurrence` (dates and rules), `jsonld` (schema.org JSON-LD).
A new CMS goes into `connectors/<kind>.py` beside the SDK, not into it.
"""
