"""The outside world: database models, repositories, unit of work, migrations, demo data and gateways."""
