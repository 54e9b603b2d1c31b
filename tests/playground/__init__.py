"""The numpy MLP playground: dataset, training, schedules end to end."""
