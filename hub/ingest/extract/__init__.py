"""Extraction: the facts parents filter by, read from a page's prose.

Municipal CMSes hold prose with a title. `page.read_page` turns a record's title, summary,
description (HTML structure kept: list items, table rows, `<strong>Label:</strong>` lines,
`<address>`) and free-text categories into a `Page`; one module per fact reads it; `fill`
puts what was found into the mapped record where the source gave nothing, and names every
field it filled, so the municipality sees "aus dem Text erkannt". Explicit fields always win.
"""
