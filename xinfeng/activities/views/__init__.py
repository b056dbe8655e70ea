"""Pages of the activities app: public list and detail, taking part, organiser pages,
room calendars, news, the practice calendar and the feeds."""
