"""`/mentor report`: program health in the coordinator's DM, with a chart and a CSV."""

from __future__ import annotations

import csv
import io

from tests.conftest import RunningBot
from tests.e2e.journeys import ask, dms, matched_pair


def test_the_report_has_the_figures_a_chart_and_a_csv(bot: RunningBot) -> None:
    for user in ("UMENTOR1", "UMENTEE1", "UMENTEE2", "UCOORD1"):
        bot.fake.add_user(user, tz="Europe/London")
    matched_pair(bot, "UMENTOR1", "UMENTEE1")
    ask(bot, "UMENTEE2", focus=["leadership"], goals="A very private goal about my manager")
    bot.slack.command("milestone presented to the board, privately thrilled", user="UMENTEE1")
    bot.settle()

    reply = bot.slack.command("report", user="UCOORD1")
    assert reply.status == 200
    bot.settle()
    assert "sent you the program report" in bot.fake.last("response_url").params["text"]

    posted = [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.params["text"].startswith("Program health")
    ]
    assert len(posted) == 1
    figures = str(posted[0]["blocks"])
    assert "Active pairs: *1*" in figures and "Mentees: *2*" in figures

    uploads = {u.filename.rsplit("-", 3)[0]: u for u in bot.fake.uploads}
    chart, table = uploads["program-trend"], uploads["program-health"]
    assert chart.content.startswith(b"\x89PNG")
    assert chart.channel == table.channel == posted[0]["channel"]
    rows = {r[0]: r[1] for r in csv.reader(io.StringIO(table.content.decode())) if len(r) == 2}
    assert (rows["Mentors"], rows["Mentees"], rows["Active pairs"]) == ("1", "2", "1")
    assert rows["Milestones this month"] == "1"
    # Counts only: what people wrote never reaches a coordinator.
    for private in ("private goal", "privately thrilled"):
        assert private not in table.content.decode() and private not in figures


def test_the_report_is_for_coordinators_only(bot: RunningBot) -> None:
    bot.fake.add_user("UMENTEE1", tz="Europe/London")
    reply = bot.slack.command("report", user="UMENTEE1")
    bot.settle()
    assert "for the program's coordinators" in reply.json()["text"]
    assert bot.fake.uploads == []


def test_a_coordinators_home_tab_has_the_program_at_a_glance_and_its_buttons_work(
    bot: RunningBot,
) -> None:
    for user in ("UMENTOR1", "UMENTEE1", "UMENTEE2", "UCOORD1"):
        bot.fake.add_user(user, tz="Europe/London")
    matched_pair(bot, "UMENTOR1", "UMENTEE1")
    for user in ("UCOORD1", "UMENTEE1"):
        bot.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    bot.settle()
    coordinator, mentee = bot.fake.home_view("UCOORD1"), bot.fake.home_view("UMENTEE1")
    assert coordinator is not None and mentee is not None
    assert "*1 active pair*" in str(coordinator["blocks"])
    assert len(coordinator["blocks"]) <= 100
    assert "Program health" not in str(mentee["blocks"])  # coordinators only

    bot.slack.click("coordinator_report", user="UCOORD1", view=coordinator)
    bot.settle()
    assert any(u.filename.endswith(".csv") for u in bot.fake.uploads)
    assert "sent you the program report" in dms(bot, "UCOORD1")[-1]["text"]

    bot.slack.click("coordinator_announce", user="UCOORD1", view=coordinator)
    bot.settle()
    assert bot.view_opened("announce_compose")

    # A crafted click from someone else gets a polite no in their DM, and no report.
    uploads = len(bot.fake.uploads)
    bot.slack.click("coordinator_report", user="UMENTEE1", view=mentee)
    bot.settle()
    assert "coordinators" in dms(bot, "UMENTEE1")[-1]["text"]
    assert len(bot.fake.uploads) == uploads
