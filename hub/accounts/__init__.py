"""Organisations and the people who act for them: sign-in, sessions, CSRF tokens, password
reset, enrolment links for new Jugendämter, and the use cases of the municipality's pages.

An organisation is a municipality's youth welfare office (Jugendamt, with the AGS it serves) or
the ministry (admin rights). Organisations, people and enrolment links live in the search
engine beside the source registry; sessions, reset tokens and sign-in limits live in Redis,
where losing them only signs people out.
"""
