<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use Bitrix\Main\Error;
use Bitrix\Sale\Delivery\CalculationResult;
use Bitrix\Sale\Delivery\Services\Base;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Order\OrderReader;
use OzonBridge\OzonRocket\Services;
use OzonBridge\OzonRocket\Shipment\ShipmentPanel;
use OzonBridge\OzonRocket\Shipment\ShipmentService;

/**
 * One way to deliver (courier, pickup point or Next Day) of an OzonRocketHandler: what the buyer
 * picks at checkout and what an order's shipment points at. Settings live in the parent.
 */
class OzonRocketProfile extends Base
{
    protected static $isProfile = true;
    protected static $isCalculatePriceImmediately = true;
    protected static $whetherAdminExtraServicesShow = false;

    protected $handlerCode = 'OZONBRIDGE_OZONROCKET';

    private string $profileType;

    public function __construct(array $initParams)
    {
        parent::__construct($initParams);
        $type = $initParams['PROFILE_ID'] ?? ($this->config['MAIN']['PROFILE_TYPE'] ?? '');
        $this->profileType = ProfileType::isValid($type) ? $type : ProfileType::COURIER;
        if ((int) $this->id <= 0 && (string) $this->name === '') {
            $this->name = ProfileType::title($this->profileType);
        }
    }

    public static function getClassTitle(): string
    {
        return Messages::get('OZONROCKET_PROFILE_TITLE');
    }

    public static function getClassDescription(): string
    {
        return Messages::get('OZONROCKET_HANDLER_DESCRIPTION');
    }

    public static function isProfile(): bool
    {
        return true;
    }

    public function isCalculatePriceImmediately(): bool
    {
        return true;
    }

    public function profileType(): string
    {
        return $this->profileType;
    }

    public function handler(): ?OzonRocketHandler
    {
        try {
            $parent = $this->getParentService();
        } catch (\Throwable) {
            return null;
        }

        return $parent instanceof OzonRocketHandler ? $parent : null;
    }

    /** No network here: Bitrix asks this for every delivery on every checkout refresh. */
    public function isCompatible(Shipment $shipment): bool
    {
        $handler = $this->handler();
        if ($handler === null || !$handler->serviceConfig()->endpoint->isComplete()) {
            return false;
        }
        $currency = (string) $shipment->getCurrency();
        if ($currency !== '' && $currency !== 'RUB') {
            return false; // Ozon Rocket prices and collects cash in roubles only
        }

        return (float) $shipment->getWeight() <= Package::MAX_WEIGHT;
    }

    /** @return array<string, array<string, mixed>> shown on the manager's shipment page */
    public function getAdditionalInfoShipmentView(Shipment $shipment): array
    {
        return $this->panel()->view($shipment);
    }

    /** @return array<string, array<string, mixed>> */
    public function getAdditionalInfoShipmentEdit(Shipment $shipment): array
    {
        return $this->panel()->edit($shipment);
    }

    public function processAdditionalInfoShipmentEdit(Shipment $shipment, array $requestData)
    {
        $this->panel()->process($shipment, $requestData);

        return $shipment;
    }

    protected function getProfileType(): string
    {
        return $this->profileType;
    }

    protected function calculateConcrete(Shipment $shipment): CalculationResult
    {
        $handler = $this->handler();
        if ($handler === null) {
            $result = new CalculationResult();
            $result->addError(new Error(Messages::get('OZONROCKET_PROFILE_WITHOUT_PARENT'), 'OZONROCKET_CONFIG'));

            return $result;
        }
        $calculator = new DeliveryCalculator(
            Services::transport(),
            new OrderReader(Services::options()),
            Services::logger(),
        );

        return $calculator->calculate($shipment, $handler->serviceConfig(), $this->profileType);
    }

    /** @return array<string, array<string, mixed>> */
    protected function getConfigStructure(): array
    {
        return [
            'MAIN' => [
                'TITLE' => Messages::get('OZONROCKET_PROFILE_SETTINGS'),
                'ITEMS' => [
                    'PROFILE_TYPE' => [
                        'TYPE' => 'STRING',
                        'NAME' => Messages::get('OZONROCKET_PROFILE_TYPE'),
                        'READONLY' => true,
                        'DEFAULT' => $this->profileType,
                    ],
                ],
            ],
        ];
    }

    private function panel(): ShipmentPanel
    {
        return new ShipmentPanel(new ShipmentService(Services::transport(), Services::options(), Services::logger()));
    }
}
