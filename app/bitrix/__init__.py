"""The shop adapter: Bitrix REST over inbound-webhook URLs."""
