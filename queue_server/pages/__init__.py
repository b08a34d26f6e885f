"""Pages for people: the staff pages (`/reports`; `/supervisor` and `/admin` to come),
rendered by Jinja2 from the same reads as the API, with a sign-in form and a cookie
session of their own (`session.py`)."""
