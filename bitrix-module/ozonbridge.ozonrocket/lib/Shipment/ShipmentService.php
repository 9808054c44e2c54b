<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Shipment;

use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Bridge\BridgeClient;
use OzonBridge\OzonRocket\Bridge\BridgeEndpoint;
use OzonBridge\OzonRocket\Bridge\BridgeError;
use OzonBridge\OzonRocket\Bridge\ShipmentAnswer;
use OzonBridge\OzonRocket\Bridge\Transport;
use OzonBridge\OzonRocket\Delivery\DeliveryLookup;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\Mapper\MappingException;
use OzonBridge\OzonRocket\Mapper\ShipmentRequestMapper;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Module;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Order\OrderReader;

/**
 * A Bitrix shipment at the bridge: send it (POST /api/v1/shipments), cancel it, read its Ozon
 * status. Writes on the shipment object only; the caller saves the order.
 */
final class ShipmentService
{
    /** @var (callable(string): string)|null */
    private $cityByLocation;

    /** @param (callable(string): string)|null $cityByLocation */
    public function __construct(
        private readonly Transport $transport,
        private readonly Options $options,
        private readonly Logger $logger,
        ?callable $cityByLocation = null,
    ) {
        $this->cityByLocation = $cityByLocation;
    }

    /** Sent before: the Ozon order id is on the shipment already. */
    public static function isSent(Shipment $shipment): bool
    {
        return trim((string) $shipment->getField(Module::SHIPMENT_OZON_ORDER_FIELD)) !== '';
    }

    /** @param bool $force send even when the shipment looks sent (the bridge answers the same shipment) */
    public function send(Shipment $shipment, bool $force = false): SendResult
    {
        $profile = DeliveryLookup::profile((int) $shipment->getDeliveryId());
        if ($profile === null || $shipment->isSystem()) {
            return SendResult::notOurs();
        }
        if (!$force && self::isSent($shipment)) {
            return SendResult::skipped();
        }
        if ((int) $shipment->getId() <= 0) {
            return SendResult::failed(Messages::get('OZONROCKET_SHIPMENT_NOT_SAVED'));
        }
        $config = $this->handlerConfig($profile);
        try {
            $snapshot = (new OrderReader($this->options, $this->cityByLocation))->read($shipment);
            $body = ShipmentRequestMapper::map($snapshot, $config, $profile->profileType());
            $answer = (new BridgeClient($this->transport, $config->endpoint))->createShipment($body);
        } catch (MappingException|BridgeError $e) {
            $reason = Messages::get('OZONROCKET_SEND_FAILED', ['#REASON#' => $e->getMessage()]);
            self::mark($shipment, $reason);
            $this->logger->warning('SHIPMENT_CREATE_FAILED', $e->getMessage(), (string) $shipment->getId());

            return SendResult::failed($reason);
        }
        self::record($shipment, $answer);

        return SendResult::sent($answer);
    }

    /** @return array{bool, string} done?, a line for the manager */
    public function cancel(Shipment $shipment): array
    {
        $profile = DeliveryLookup::profile((int) $shipment->getDeliveryId());
        if ($profile === null) {
            return [false, Messages::get('OZONROCKET_NOT_OZON_SHIPMENT')];
        }
        $client = new BridgeClient($this->transport, $this->handlerConfig($profile)->endpoint);
        try {
            $found = self::find($client, $shipment, BridgeEndpoint::SLOW_TIMEOUT);
            if ($found === null) {
                return [false, Messages::get('OZONROCKET_CANCEL_NOT_SENT')];
            }
            $answer = $client->cancelShipment($found->id);
        } catch (BridgeError $e) {
            $this->logger->warning('SHIPMENT_CANCEL_FAILED', $e->getMessage(), (string) $shipment->getId());
            $code = $e->status === 409 ? 'OZONROCKET_CANCEL_REFUSED' : 'OZONROCKET_CANCEL_FAILED';

            return [false, Messages::get($code, ['#REASON#' => $e->detail])];
        }

        return [true, Messages::get('OZONROCKET_CANCELLED', ['#STATUS#' => self::statusTitle($answer->status)])];
    }

    /**
     * The bridge's shipment for this Bitrix shipment; a short wait, it is for a page a manager opened.
     *
     * @throws BridgeError
     */
    public function status(Shipment $shipment, float $timeout = 3.0): ?ShipmentAnswer
    {
        $profile = DeliveryLookup::profile((int) $shipment->getDeliveryId());
        if ($profile === null || (int) $shipment->getId() <= 0) {
            return null;
        }

        return self::find(new BridgeClient($this->transport, $this->handlerConfig($profile)->endpoint), $shipment, $timeout);
    }

    public static function statusTitle(string $status): string
    {
        $title = Messages::get('OZONROCKET_STATUS_' . strtoupper($status));

        return str_starts_with($title, 'OZONROCKET_STATUS_') ? $status : $title;
    }

    private function handlerConfig(OzonRocketProfile $profile): ServiceConfig
    {
        $handler = $profile->handler();
        if ($handler === null) {
            throw new \LogicException('DeliveryLookup returns profiles with a parent only');
        }

        return $handler->serviceConfig();
    }

    private static function find(BridgeClient $client, Shipment $shipment, float $timeout): ?ShipmentAnswer
    {
        $orderId = (int) $shipment->getCollection()->getOrder()->getId();
        foreach ($client->findShipments($orderId, $timeout) as $candidate) {
            if ($candidate->bitrixShipmentId === (int) $shipment->getId()) {
                return $candidate;
            }
        }

        return null;
    }

    private static function record(Shipment $shipment, ShipmentAnswer $answer): void
    {
        if ($answer->ozonOrderId !== null) {
            $shipment->setField(Module::SHIPMENT_OZON_ORDER_FIELD, $answer->ozonOrderId);
        }
        if ($answer->trackingNumber !== null && trim((string) $shipment->getField('TRACKING_NUMBER')) === '') {
            $shipment->setField('TRACKING_NUMBER', $answer->trackingNumber);
        }
        if ($shipment->getField('MARKED') === 'Y'
            && str_starts_with((string) $shipment->getField('REASON_MARKED'), Module::TEXT_PREFIX)) {
            $shipment->setField('MARKED', 'N');
            $shipment->setField('REASON_MARKED', '');
        }
    }

    /** Bitrix's own "problem" flag on the shipment: shown in the order and its list. */
    private static function mark(Shipment $shipment, string $reason): void
    {
        $shipment->setField('MARKED', 'Y');
        $shipment->setField('REASON_MARKED', mb_substr($reason, 0, 255));
    }
}
