from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xiaotu.demo"
