"""What every feature's listeners share: Block Kit primitives, forms, replies, mentions."""
