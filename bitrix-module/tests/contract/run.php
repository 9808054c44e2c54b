<?php

declare(strict_types=1);

/*
 * The contract run: the module's own classes (the delivery handler and its profiles, the order
 * event handler, the shipment panel) on the Bitrix stand-ins, talking over HTTP (cURL) to a real
 * bridge. Mirror the settings, calculate, create a shipment, cancel it — so that the PHP and the
 * Python sides cannot drift apart.
 *
 *   BRIDGE_URL=http://127.0.0.1:8000 SHOP_ID=... SHOP_TOKEN=... php bitrix-module/tests/contract/run.php
 *
 * Exit 0 when every check passes, 1 when one fails, 2 when the environment is incomplete.
 */

use Bitrix\Sale\Delivery\Services\Manager;
use Bitrix\Sale\Order;
use OzonBridge\OzonRocket\Bridge\BridgeClient;
use OzonBridge\OzonRocket\Bridge\BridgeEndpoint;
use OzonBridge\OzonRocket\Bridge\CurlTransport;
use OzonBridge\OzonRocket\Delivery\DeliveryCalculator;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Event\OrderEventHandler;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Services;
use OzonBridge\OzonRocket\Tests\InMemoryOperationStore;
use OzonBridge\OzonRocket\Tests\MemoryLogger;
use OzonBridge\OzonRocket\Tests\Shop;

require __DIR__ . '/../bootstrap.php';

$bridgeUrl = rtrim((string) getenv('BRIDGE_URL'), '/');
$shopId = (string) getenv('SHOP_ID');
$token = (string) getenv('SHOP_TOKEN');
if ($bridgeUrl === '' || $shopId === '' || $token === '') {
    fwrite(STDERR, "Set BRIDGE_URL, SHOP_ID and SHOP_TOKEN (a shop of the running bridge).\n");
    exit(2);
}
if (!function_exists('curl_init')) {
    fwrite(STDERR, "The PHP extension curl is missing (apt-get install php-curl).\n");
    exit(2);
}

$started = microtime(true);
$logger = new MemoryLogger();
$transport = new CurlTransport();
Services::override($transport, new InMemoryOperationStore(), new Options(
    shipmentTrigger: Options::TRIGGER_ALLOW_DELIVERY,
    codPaySystemIds: [Shop::COD_PAY_SYSTEM],
), $logger);
(new ozonbridge_ozonrocket())->InstallEvents();
// Fresh Bitrix ids per run: the bridge keeps shipments per (shop, order, shipment) for good.
Manager::$nextId = random_int(100_000, 900_000);
Order::$nextId = random_int(1_000_000, 900_000_000);

$failures = 0;
$number = 0;
$check = static function (string $name, callable $test) use (&$failures, &$number): void {
    ++$number;
    try {
        $problem = $test();
    } catch (Throwable $e) {
        $problem = get_class($e) . ': ' . $e->getMessage();
    }
    if ($problem === null || $problem === true) {
        echo "ok {$number} - {$name}\n";

        return;
    }
    ++$failures;
    echo "not ok {$number} - {$name}\n  # " . str_replace("\n", "\n  # ", (string) $problem) . "\n";
};
$profile = static function (Shop $shop, string $type): OzonRocketProfile {
    $profile = Manager::getObjectById($shop->profileIds[$type]);
    if (!$profile instanceof OzonRocketProfile) {
        throw new RuntimeException("no {$type} profile");
    }

    return $profile;
};
$errors = static fn (Bitrix\Main\Result $r): string => implode('; ', $r->getErrorMessages());

// Our own pricing (rounded up to 50 roubles) so the answers prove the bridge took our settings.
$shop = Shop::install([
    'MAIN' => ['BRIDGE_URL' => $bridgeUrl, 'SHOP_ID' => $shopId, 'SHOP_TOKEN' => $token, 'TIMEOUT' => '10'],
    'PRICING' => ['MARKUP_PERCENT' => '0', 'MARKUP_FIXED' => '0', 'ROUNDING' => 'ceil_50'],
]);
$client = new BridgeClient($transport, new BridgeEndpoint($bridgeUrl, $shopId, $token));

$check('saving the delivery service mirrors its settings to the bridge (PUT delivery-services)', static function () use ($shop) {
    $message = Manager::getObjectById($shop->handlerId)?->getAdminMessage() ?? [];

    return ($message['TYPE'] ?? '') === 'OK' ? null : 'admin message: ' . json_encode($message, JSON_UNESCAPED_UNICODE);
});

[, $courierShipment] = $shop->order(ProfileType::COURIER);
$check('courier: calculate gives a price after our rules, a period and a description', static function () use ($shop, $profile, $courierShipment, $errors) {
    $result = $profile($shop, ProfileType::COURIER)->calculate($courierShipment);
    if (!$result->isSuccess()) {
        return $errors($result);
    }
    $price = (float) $result->getDeliveryPrice();
    if ($price <= 0 || fmod($price, 50.0) !== 0.0) {
        return "price {$price} is not a positive multiple of 50 (ceil_50 not applied?)";
    }
    if ((int) $result->getPeriodFrom() < 1 || (int) $result->getPeriodTo() < (int) $result->getPeriodFrom()) {
        return 'period ' . $result->getPeriodFrom() . '..' . $result->getPeriodTo();
    }

    return $result->getPeriodDescription() !== '' ? null : 'no period description';
});

$check('next day: its own option, priced', static function () use ($shop, $profile, $courierShipment, $errors) {
    $result = $profile($shop, ProfileType::NEXT_DAY)->calculate($courierShipment);

    return $result->isSuccess() && $result->getDeliveryPrice() > 0 ? null : $errors($result);
});

$check('pickup point: calculate to a point of the network', static function () use ($shop, $profile, $errors) {
    [, $shipment] = $shop->order(ProfileType::PICKUP_POINT, ['pickupPoint' => 'PVZ-77-000123']);
    $result = $profile($shop, ProfileType::PICKUP_POINT)->calculate($shipment);

    return $result->isSuccess() && $result->getDeliveryPrice() > 0 ? null : $errors($result);
});

$check('pickup point: an unknown point is the bridge\'s refusal, shown to the buyer', static function () use ($shop, $profile) {
    [, $shipment] = $shop->order(ProfileType::PICKUP_POINT, ['pickupPoint' => 'PVZ-00-NOPE']);
    $result = $profile($shop, ProfileType::PICKUP_POINT)->calculate($shipment);
    $text = implode('; ', $result->getErrorMessages());

    return !$result->isSuccess() && str_starts_with($text, 'Не удалось рассчитать доставку Ozon Rocket:') ? null : "got: {$text}";
});

$check('a bridge that is down: an error line within the timeout, no exception', static function () use ($profile, $courierShipment) {
    $down = Shop::install(['MAIN' => ['BRIDGE_URL' => 'http://127.0.0.1:9', 'SHOP_ID' => 'x', 'SHOP_TOKEN' => 'x', 'TIMEOUT' => '2']]);
    DeliveryCalculator::forget();
    $t = microtime(true);
    $result = $profile($down, ProfileType::COURIER)->calculate($courierShipment);
    $elapsed = microtime(true) - $t;

    return !$result->isSuccess() && $elapsed < 3.0 ? null : sprintf('success=%s after %.1f s', var_export($result->isSuccess(), true), $elapsed);
});

[$order, $shipment] = $shop->order(ProfileType::COURIER);
$shipment->setField('ALLOW_DELIVERY', 'Y');
$saved = $order->save();
$sent = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());

$check('allowing delivery creates the shipment (POST /api/v1/shipments) and stores the Ozon order and tracking', static function () use ($saved, $sent, $logger, $errors) {
    if (!$saved->isSuccess()) {
        return $errors($saved);
    }
    $ozonOrder = (string) $sent?->getField('DELIVERY_DOC_NUM');
    $tracking = (string) $sent?->getField('TRACKING_NUMBER');
    if ($ozonOrder === '' || $tracking === '') {
        return sprintf("ozon order '%s', tracking '%s', marked: %s; log: %s", $ozonOrder, $tracking, $sent?->getField('REASON_MARKED'), json_encode($logger->entries, JSON_UNESCAPED_UNICODE));
    }

    return null;
});

$check('sending the same shipment again is the same Ozon order, not a second one', static function () use ($order, $shipment, $sent, $client) {
    $again = OrderEventHandler::send($order->getId(), [$shipment->getId()], true)[$shipment->getId()] ?? null;
    if ($again?->answer === null) {
        return 'no answer: ' . $again?->message;
    }
    if ($again->answer->created || $again->answer->ozonOrderId !== $sent?->getField('DELIVERY_DOC_NUM')) {
        return sprintf('created=%s, ozon order %s', var_export($again->answer->created, true), $again->answer->ozonOrderId);
    }
    $atBridge = $client->findShipments($order->getId());

    return count($atBridge) === 1 ? null : count($atBridge) . ' shipments at the bridge for this order';
});

$check('the manager sees the Ozon status on the shipment page', static function () use ($shop, $profile, $order, $shipment) {
    $current = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
    $line = (string) ($profile($shop, ProfileType::COURIER)->getAdditionalInfoShipmentView($current)['OZONROCKET_STATUS']['VALUE'] ?? '');

    return str_starts_with($line, 'Статус: создан;') ? null : "status line: {$line}";
});

$check('the manager cancels it at Ozon (POST /api/v1/shipments/{id}/cancel)', static function () use ($shop, $profile, $order, $shipment, $client) {
    $current = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
    $profile($shop, ProfileType::COURIER)->processAdditionalInfoShipmentEdit($current, ['OZONROCKET_CANCEL' => 'Y']);
    $comment = (string) $current->getField('COMMENTS');
    $status = $client->findShipments($order->getId())[0]->status ?? '';

    return $status === 'cancelled' && str_contains($comment, 'отгрузка отменена') ? null : "bridge status '{$status}', comment '{$comment}'";
});

$check('a cash-on-delivery order to a pickup point is created too', static function () use ($shop, $logger) {
    [$codOrder, $codShipment] = $shop->order(ProfileType::PICKUP_POINT, ['cod' => true, 'pickupPoint' => 'PVZ-77-000123']);
    $codShipment->setField('ALLOW_DELIVERY', 'Y');
    $codOrder->save();
    $created = Order::load($codOrder->getId())?->getShipmentCollection()->getItemById($codShipment->getId());

    return (string) $created?->getField('DELIVERY_DOC_NUM') !== ''
        ? null
        : 'not created: ' . $created?->getField('REASON_MARKED') . ' ' . json_encode($logger->entries, JSON_UNESCAPED_UNICODE);
});

printf("1..%d\n# %d failed, %.1f s\n", $number, $failures, microtime(true) - $started);
exit($failures === 0 ? 0 : 1);
