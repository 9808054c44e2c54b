<?php

declare(strict_types=1);

$MESS['OZONROCKET_OPT_TAB'] = 'Ozon Rocket';
$MESS['OZONROCKET_OPT_TAB_TITLE'] = 'Shipments, refunds and checkout';
$MESS['OZONROCKET_OPT_SAVE'] = 'Save';
$MESS['OZONROCKET_OPT_SAVED'] = 'Settings saved.';
$MESS['OZONROCKET_OPT_NONE'] = '— none —';
$MESS['OZONROCKET_OPT_TRIGGER'] = 'When to send a shipment to Ozon Rocket';
$MESS['OZONROCKET_OPT_TRIGGER_HINT'] = 'An Ozon Rocket shipment goes to the bridge once; the Ozon order id and tracking number are written on the shipment.';
$MESS['OZONROCKET_OPT_TRIGGER_ALLOW_DELIVERY'] = 'When delivery is allowed ("Allow delivery")';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS'] = 'When the order reaches a status (below)';
$MESS['OZONROCKET_OPT_TRIGGER_OFF'] = 'Only by hand (on the shipment page)';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS_ID'] = 'Order status that sends';
$MESS['OZONROCKET_OPT_TRIGGER_STATUS_ID_HINT'] = 'Used with "When the order reaches a status".';
$MESS['OZONROCKET_OPT_COD'] = 'Cash-on-delivery pay systems';
$MESS['OZONROCKET_OPT_COD_HINT'] = 'An unpaid order with such a payment goes to Ozon Rocket as cash on delivery; all others as prepaid.';
$MESS['OZONROCKET_OPT_INNER_ACCOUNT'] = 'Refund to the buyer\'s inner account when the pay system cannot refund';
$MESS['OZONROCKET_OPT_INNER_ACCOUNT_HINT'] = 'Otherwise the module leaves a manager task: an order comment and the status below.';
$MESS['OZONROCKET_OPT_MANUAL_STATUS'] = 'Order status when money must be refunded by hand';
$MESS['OZONROCKET_OPT_MANUAL_STATUS_HINT'] = 'Empty: the status stays, only the comment is added.';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE'] = 'Delivery price on partial acceptance';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_HINT'] = 'The bridge says how much delivery the buyer still owes (0: refund the delivery).';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_BRIDGE'] = 'As the bridge decides';
$MESS['OZONROCKET_OPT_DELIVERY_PRICE_KEEP'] = 'Keep as it is';
$MESS['OZONROCKET_OPT_PICKUP_PROPERTY'] = 'Order property code of the pickup point';
$MESS['OZONROCKET_OPT_PICKUP_PROPERTY_HINT'] = 'The module created OZON_PVZ for each payer type.';
$MESS['OZONROCKET_OPT_CITY_PROPERTY'] = 'Order property code of the city';
$MESS['OZONROCKET_OPT_CITY_PROPERTY_HINT'] = 'When it is empty or missing, the city comes from the delivery location.';
