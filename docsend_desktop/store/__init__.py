"""The store layer: models, database setup, migrations, settings. Imports only peewee and stdlib."""
