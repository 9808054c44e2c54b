"""Ozon Rocket ⇄ 1C-Bitrix bridge."""
