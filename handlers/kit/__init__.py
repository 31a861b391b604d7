"""What every feature's listeners share: Block Kit primitives, forms, refusals (a
DomainError becomes a reply in one place), replies, who a request is from, mentions."""
