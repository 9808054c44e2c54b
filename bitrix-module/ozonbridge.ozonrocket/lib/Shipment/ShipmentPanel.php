<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Shipment;

use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Bridge\BridgeError;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Module;

/**
 * The Ozon Rocket block of a shipment in the admin order page: its Ozon status, and two
 * checkboxes — send it now, cancel it at Ozon — acted on when the manager saves the order.
 */
final class ShipmentPanel
{
    public const SEND = 'OZONROCKET_SEND';
    public const CANCEL = 'OZONROCKET_CANCEL';

    public function __construct(private readonly ShipmentService $service)
    {
    }

    /** @return array<string, array<string, mixed>> */
    public function view(Shipment $shipment): array
    {
        return ['OZONROCKET_STATUS' => self::readOnly(Messages::get('OZONROCKET_PANEL_STATUS'), $this->statusLine($shipment))];
    }

    /** @return array<string, array<string, mixed>> */
    public function edit(Shipment $shipment): array
    {
        $inputs = $this->view($shipment);
        if (ShipmentService::isSent($shipment)) {
            $inputs[self::CANCEL] = ['LABEL' => Messages::get('OZONROCKET_PANEL_CANCEL'), 'TYPE' => 'Y/N', 'VALUE' => 'N'];
        } else {
            $inputs[self::SEND] = ['LABEL' => Messages::get('OZONROCKET_PANEL_SEND'), 'TYPE' => 'Y/N', 'VALUE' => 'N'];
        }

        return $inputs;
    }

    /** @param array<string, mixed> $request the posted inputs of edit() */
    public function process(Shipment $shipment, array $request): void
    {
        if (($request[self::CANCEL] ?? 'N') === 'Y') {
            [, $message] = $this->service->cancel($shipment);
            self::note($shipment, $message);
        } elseif (($request[self::SEND] ?? 'N') === 'Y') {
            $result = $this->service->send($shipment, true);
            if ($result->outcome === SendResult::SENT && $result->answer !== null) {
                self::note($shipment, Messages::get('OZONROCKET_SENT', [
                    '#OZON_ORDER#' => (string) $result->answer->ozonOrderId,
                    '#TRACKING#' => (string) $result->answer->trackingNumber,
                ]));
            } elseif ($result->message !== '') {
                self::note($shipment, $result->message);
            }
        }
    }

    private function statusLine(Shipment $shipment): string
    {
        try {
            $answer = $this->service->status($shipment);
        } catch (BridgeError $e) {
            return Messages::get('OZONROCKET_PANEL_BRIDGE_DOWN', [
                '#REASON#' => $e->getMessage(),
                '#OZON_ORDER#' => (string) $shipment->getField(Module::SHIPMENT_OZON_ORDER_FIELD),
                '#TRACKING#' => (string) $shipment->getField('TRACKING_NUMBER'),
            ]);
        }
        if ($answer === null) {
            $reason = (string) $shipment->getField('REASON_MARKED');

            return Messages::get('OZONROCKET_PANEL_NOT_SENT')
                . (str_starts_with($reason, Module::TEXT_PREFIX) ? ' ' . $reason : '');
        }
        $line = Messages::get('OZONROCKET_PANEL_STATUS_LINE', [
            '#STATUS#' => ShipmentService::statusTitle($answer->status),
            '#OZON_ORDER#' => $answer->ozonOrderId ?? '—',
            '#TRACKING#' => $answer->trackingNumber ?? '—',
        ]);

        return $answer->lastError !== null ? $line . ' ' . Messages::get('OZONROCKET_PANEL_LAST_ERROR', ['#ERROR#' => $answer->lastError]) : $line;
    }

    /** @return array<string, string> */
    private static function readOnly(string $label, string $value): array
    {
        return ['LABEL' => $label, 'TYPE' => 'DELIVERY_READ_ONLY', 'VALUE' => htmlspecialchars($value, ENT_QUOTES)];
    }

    private static function note(Shipment $shipment, string $message): void
    {
        $comments = trim((string) $shipment->getField('COMMENTS'));
        $shipment->setField('COMMENTS', ($comments !== '' ? $comments . "\n" : '') . $message);
    }
}
