"""A pair across workspaces: its Slack Connect channel, or the DMs and calendar instead."""

from bot.pair_channels.service import (
    PairChannels,
    channel_host,
    plan_pair_channel,
    plan_pair_channel_closing,
)

__all__ = ["PairChannels", "channel_host", "plan_pair_channel", "plan_pair_channel_closing"]
