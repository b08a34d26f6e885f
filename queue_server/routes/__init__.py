"""HTTP routes: thin, parse → service → serialize."""
