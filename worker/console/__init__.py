"""The web console (issue 19): the policy as a picture, live decisions, a record's history
and explain, try a lead, simulate and publish a draft, and operations — served by
`leadrelay serve` at /console, signed in, with viewer and admin roles."""

from __future__ import annotations
