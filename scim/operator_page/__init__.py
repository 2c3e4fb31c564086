"""The operator page at `/`: what the service is doing, for a person with a read token.

The page itself (`static/`: HTML, JS and CSS, no build step, nothing from a
CDN) holds no data and needs no token; it asks `operator/overview`
(`overview.py`) with the read token the operator typed, which the browser
keeps in sessionStorage and sends as a Bearer header, never in a URL
(docs/operations.md, "The operator page").
"""
