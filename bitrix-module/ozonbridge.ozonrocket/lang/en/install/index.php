<?php

declare(strict_types=1);

$MESS['OZONROCKET_MODULE_NAME'] = 'Ozon Rocket: delivery through the bridge';
$MESS['OZONROCKET_MODULE_DESCRIPTION'] = 'The Ozon Rocket delivery service (courier, pickup points, Next Day), automatic shipment creation, pickup-point choice at checkout, partial acceptance and refunds inside Bitrix.';
$MESS['OZONROCKET_PARTNER_NAME'] = 'Ozon Rocket Bridge';
$MESS['OZONROCKET_INSTALL_PHP'] = 'The module needs PHP 8.1 or newer.';
$MESS['OZONROCKET_INSTALL_NEEDS_SALE'] = 'The module needs the e-Store module (sale).';
$MESS['OZONROCKET_UNINSTALL_TITLE'] = 'Uninstalling the Ozon Rocket module';
$MESS['OZONROCKET_UNINSTALL_KEEP'] = 'Keep the data: the partial-acceptance operation log, the OZON_PVZ order property and the module settings';
$MESS['OZONROCKET_UNINSTALL_KEEP_HINT'] = 'Ozon Rocket delivery services are switched off (their settings stay). Event handlers, REST methods and the checkout script are removed.';
$MESS['OZONROCKET_PROPERTY_NAME'] = 'Ozon Rocket pickup point';
$MESS['OZONROCKET_PROPERTY_DESCRIPTION'] = 'Filled in when the buyer picks a point on the Ozon Rocket map.';
