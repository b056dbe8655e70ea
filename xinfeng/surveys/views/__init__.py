"""Pages of the surveys app: staff authoring (``staff``), answering on a phone and paper
entry (``answer``). PART 2 adds ``results`` (charts, clusters, needs)."""
