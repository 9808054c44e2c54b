"""Emulators of Ozon Rocket and Bitrix REST for the demo and the tests."""
