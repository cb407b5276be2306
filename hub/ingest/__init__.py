"""The ingest wing: every record, polled, pushed or previewed, takes the same way in.

`build` makes a source's connector, `ingest.Ingest` normalises and writes in batches, `runner`
drives a poll (with the deletion rules), `events` applies pushed webhook events and `dryrun`
previews a feed without writing.
"""
