"""App config so Django loads the task modules with the rest of the project."""

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
