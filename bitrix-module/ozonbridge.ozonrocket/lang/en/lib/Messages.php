<?php

declare(strict_types=1);

$MESS['OZONROCKET_HANDLER_TITLE'] = 'Ozon Rocket';
$MESS['OZONROCKET_HANDLER_DESCRIPTION'] = 'Ozon Rocket delivery through the bridge: courier, pickup points, Next Day. Rates, orders and statuses live in the bridge.';
$MESS['OZONROCKET_PROFILE_TITLE'] = 'Ozon Rocket: profile';
$MESS['OZONROCKET_PROFILE_COURIER'] = 'Courier';
$MESS['OZONROCKET_PROFILE_PICKUP_POINT'] = 'Pickup point';
$MESS['OZONROCKET_PROFILE_NEXT_DAY'] = 'Next Day';
$MESS['OZONROCKET_PROFILE_SETTINGS'] = 'Profile';
$MESS['OZONROCKET_PROFILE_TYPE'] = 'Delivery type';
$MESS['OZONROCKET_PROFILE_WITHOUT_PARENT'] = 'An Ozon Rocket profile without its parent service: set up the Ozon Rocket delivery service.';
$MESS['OZONROCKET_CALCULATED_BY_PROFILES'] = 'Prices come from the profiles (courier, pickup point, Next Day).';

$MESS['OZONROCKET_CONFIG_MAIN'] = 'Bridge and Ozon Rocket';
$MESS['OZONROCKET_CONFIG_MAIN_DESCRIPTION'] = 'The bridge operator gives you the bridge URL, shop id and token. The Ozon Rocket values come from your Ozon Rocket account. Saving sends these settings to the bridge.';
$MESS['OZONROCKET_CONFIG_BRIDGE_URL'] = 'Bridge URL (https://...)';
$MESS['OZONROCKET_CONFIG_SHOP_ID'] = 'Shop id in the bridge';
$MESS['OZONROCKET_CONFIG_SHOP_TOKEN'] = 'Shop token';
$MESS['OZONROCKET_CONFIG_TIMEOUT'] = 'Calculation timeout, seconds';
$MESS['OZONROCKET_CONFIG_OZON_API_KEY'] = 'Ozon Rocket API key (OZON_API_KEY)';
$MESS['OZONROCKET_CONFIG_SELLER_ID'] = 'Ozon Rocket seller id (SELLER_ID)';
$MESS['OZONROCKET_CONFIG_DEFAULT_WAREHOUSE_ID'] = 'Default warehouse (DEFAULT_WAREHOUSE_ID)';
$MESS['OZONROCKET_CONFIG_PARTIAL_ACCEPT'] = 'Allow partial acceptance (PARTIAL_ACCEPT)';
$MESS['OZONROCKET_CONFIG_PACKAGE'] = 'Default package';
$MESS['OZONROCKET_CONFIG_PACKAGE_DESCRIPTION'] = 'For goods without weight or size. Weight in grams, sizes in millimetres.';
$MESS['OZONROCKET_CONFIG_WEIGHT'] = 'Weight, g';
$MESS['OZONROCKET_CONFIG_LENGTH'] = 'Length, mm';
$MESS['OZONROCKET_CONFIG_WIDTH'] = 'Width, mm';
$MESS['OZONROCKET_CONFIG_HEIGHT'] = 'Height, mm';
$MESS['OZONROCKET_CONFIG_PRICING'] = 'Price for the buyer';
$MESS['OZONROCKET_CONFIG_PRICING_DESCRIPTION'] = 'The bridge applies these rules to Ozon Rocket rates: markup, then free delivery, then rounding up.';
$MESS['OZONROCKET_CONFIG_STRATEGY'] = 'Which option to choose';
$MESS['OZONROCKET_STRATEGY_CHEAPEST'] = 'The cheapest';
$MESS['OZONROCKET_STRATEGY_FASTEST'] = 'The fastest';
$MESS['OZONROCKET_STRATEGY_FIXED'] = 'Only the given delivery type';
$MESS['OZONROCKET_CONFIG_FIXED_DELIVERY_TYPE'] = 'Delivery type for the "only the given type" strategy';
$MESS['OZONROCKET_CONFIG_MARKUP_PERCENT'] = 'Markup, %';
$MESS['OZONROCKET_CONFIG_MARKUP_FIXED'] = 'Markup, RUB (may be negative)';
$MESS['OZONROCKET_CONFIG_FREE_DELIVERY_FROM'] = 'Free delivery from an order total of, RUB (empty: never)';
$MESS['OZONROCKET_CONFIG_ROUNDING'] = 'Round the price up';
$MESS['OZONROCKET_ROUNDING_NONE'] = 'No rounding';
$MESS['OZONROCKET_ROUNDING_CEIL_1'] = 'To 1 RUB';
$MESS['OZONROCKET_ROUNDING_CEIL_10'] = 'To 10 RUB';
$MESS['OZONROCKET_ROUNDING_CEIL_50'] = 'To 50 RUB';
$MESS['OZONROCKET_CONFIG_FALLBACK_PRICE'] = 'Price when Ozon Rocket does not answer, RUB (empty: hide the delivery)';

$MESS['OZONROCKET_CONFIG_BRIDGE_INCOMPLETE'] = 'The bridge URL, shop id or token is missing.';
$MESS['OZONROCKET_CONFIG_OZON_INCOMPLETE'] = 'OZON_API_KEY (4 characters or more), SELLER_ID or DEFAULT_WAREHOUSE_ID is missing.';
$MESS['OZONROCKET_CONFIG_FIXED_NEEDS_TYPE'] = 'The "only the given type" strategy needs a delivery type.';
$MESS['OZONROCKET_MIRROR_OK'] = 'Settings sent to the bridge at #AT#.';
$MESS['OZONROCKET_MIRROR_FAILED'] = 'The bridge refused the settings (#AT#): it keeps calculating with its old copy. Fix them and save again.';

$MESS['OZONROCKET_CHOOSE_PICKUP_POINT'] = 'Choose an Ozon Rocket pickup point.';
$MESS['OZONROCKET_NEED_CITY'] = 'Enter the delivery city.';
$MESS['OZONROCKET_BRIDGE_UNAVAILABLE'] = 'Ozon Rocket delivery is unavailable right now; choose another way or try again later.';
$MESS['OZONROCKET_CALCULATION_REFUSED'] = 'Ozon Rocket delivery could not be calculated: #DETAIL#';
$MESS['OZONROCKET_NO_DELIVERY_HERE'] = 'Ozon Rocket does not deliver this way to this address.';
$MESS['OZONROCKET_PICKUP_POINT_CHOSEN'] = 'Pickup point: #ID#';
$MESS['OZONROCKET_PERIOD_DAYS'] = '#DAYS# d.';
$MESS['OZONROCKET_PERIOD_RANGE'] = '#FROM#–#TO# d.';

$MESS['OZONROCKET_SHIPMENT_EMPTY'] = 'The shipment holds no goods.';
$MESS['OZONROCKET_SHIPMENT_NO_NAME'] = 'The recipient\'s name is missing.';
$MESS['OZONROCKET_SHIPMENT_NO_PHONE'] = 'The recipient\'s phone is missing.';
$MESS['OZONROCKET_SHIPMENT_NO_ADDRESS'] = 'The delivery city is missing.';
$MESS['OZONROCKET_SHIPMENT_NO_PICKUP_POINT'] = 'No pickup point chosen (order property).';
$MESS['OZONROCKET_SHIPMENT_FRACTIONAL'] = 'Ozon Rocket takes whole quantities only: "#NAME#" — #QUANTITY#.';
$MESS['OZONROCKET_SHIPMENT_NOT_SAVED'] = 'Save the shipment first.';
$MESS['OZONROCKET_SEND_FAILED'] = 'Ozon Rocket: not sent: #REASON#';
$MESS['OZONROCKET_SENT'] = 'Ozon Rocket: sent, order #OZON_ORDER#, tracking #TRACKING#.';
$MESS['OZONROCKET_NOT_OZON_SHIPMENT'] = 'Ozon Rocket: this is not an Ozon Rocket shipment.';
$MESS['OZONROCKET_CANCEL_NOT_SENT'] = 'Ozon Rocket: the bridge does not know this shipment; nothing to cancel.';
$MESS['OZONROCKET_CANCEL_REFUSED'] = 'Ozon Rocket: cannot be cancelled: #REASON#';
$MESS['OZONROCKET_CANCEL_FAILED'] = 'Ozon Rocket: cancelling failed, try again: #REASON#';
$MESS['OZONROCKET_CANCELLED'] = 'Ozon Rocket: shipment cancelled (#STATUS#).';

$MESS['OZONROCKET_PANEL_STATUS'] = 'Ozon Rocket';
$MESS['OZONROCKET_PANEL_STATUS_LINE'] = 'Status: #STATUS#; Ozon order: #OZON_ORDER#; tracking: #TRACKING#.';
$MESS['OZONROCKET_PANEL_LAST_ERROR'] = 'Last error: #ERROR#';
$MESS['OZONROCKET_PANEL_NOT_SENT'] = 'Not sent to Ozon Rocket.';
$MESS['OZONROCKET_PANEL_BRIDGE_DOWN'] = 'The bridge does not answer (#REASON#). Ozon order: #OZON_ORDER#; tracking: #TRACKING#.';
$MESS['OZONROCKET_PANEL_SEND'] = 'Send to Ozon Rocket on save';
$MESS['OZONROCKET_PANEL_CANCEL'] = 'Cancel at Ozon Rocket on save';

$MESS['OZONROCKET_STATUS_PENDING'] = 'waiting for Ozon';
$MESS['OZONROCKET_STATUS_CREATED'] = 'created';
$MESS['OZONROCKET_STATUS_IN_TRANSIT'] = 'in transit';
$MESS['OZONROCKET_STATUS_ARRIVED'] = 'waiting for the recipient';
$MESS['OZONROCKET_STATUS_DELIVERED'] = 'delivered';
$MESS['OZONROCKET_STATUS_PARTIAL_DELIVERED'] = 'partly accepted';
$MESS['OZONROCKET_STATUS_RETURNED'] = 'returned';
$MESS['OZONROCKET_STATUS_CANCELLED'] = 'cancelled';

$MESS['OZONROCKET_INNER_ACCOUNT'] = 'Inner account';
$MESS['OZONROCKET_MANUAL_REFUND'] = 'Ozon Rocket: refund #AMOUNT# RUB to the buyer by hand.';

$MESS['OZONROCKET_JS_CHOOSE'] = 'Choose a pickup point';
$MESS['OZONROCKET_JS_CHANGE'] = 'Choose another point';
$MESS['OZONROCKET_JS_CHOSEN'] = 'Pickup point:';
$MESS['OZONROCKET_JS_CLOSE'] = 'Close';
$MESS['OZONROCKET_JS_TITLE'] = 'Ozon Rocket pickup points';
