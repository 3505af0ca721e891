"""The demo's cases, as data, and the step of `seed_demo` that records them.

A case spec names its customer by DMS id and its vehicle by plate (see `dealers.demo.data`);
its `path` lists the transitions it goes through, in order. An entry is a transition name,
or a pair (name, overrides) when a transition repeats with other data, or ("note",
{"comment": …}) for a note on the timeline, or ("contact", {"outcome": …}) for a follow-up
contact with the customer, or ("supplier", {"supplier": …}) for a hand-over to an outside
supplier. Payloads come from the spec: `summary`, `findings`, `decision`, `action`,
`follow_up`, `review`, `reject_reason`, `reopen_reason`, `withdraw_reason`.

`paths` holds the building blocks of the specs; `stories`, `last_steps` and `first_steps`
the cases; `seed` records them.
"""
