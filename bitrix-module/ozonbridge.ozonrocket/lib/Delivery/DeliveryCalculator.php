<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use Bitrix\Main\Error;
use Bitrix\Sale\Delivery\CalculationResult;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Bridge\BridgeClient;
use OzonBridge\OzonRocket\Bridge\BridgeError;
use OzonBridge\OzonRocket\Bridge\CalculateAnswer;
use OzonBridge\OzonRocket\Bridge\Quote;
use OzonBridge\OzonRocket\Bridge\Transport;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\Mapper\CalculateRequestMapper;
use OzonBridge\OzonRocket\Mapper\MappingException;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Order\OrderReader;

/**
 * calculateConcrete() of a profile: shipment → POST /api/v1/calculate → CalculationResult.
 * Whatever happens, the answer is a CalculationResult (an error line, never an exception), and
 * within one PHP request a bridge that did not answer is not asked again, so the three profiles
 * of a checkout page wait for it once, not three times.
 */
final class DeliveryCalculator
{
    private const MEMO_SIZE = 50;

    /** @var array<string, CalculateAnswer> request → answer, within this PHP request */
    private static array $answers = [];
    /** @var array<string, BridgeError> bridge URL → why it is given up for this PHP request */
    private static array $down = [];

    public function __construct(
        private readonly Transport $transport,
        private readonly OrderReader $reader,
        private readonly Logger $logger,
    ) {
    }

    /** Forget answers and unreachable bridges (tests; long-running CLI scripts). */
    public static function forget(): void
    {
        self::$answers = [];
        self::$down = [];
    }

    public function calculate(Shipment $shipment, ServiceConfig $config, string $profileType): CalculationResult
    {
        $result = new CalculationResult();
        try {
            $snapshot = $this->reader->read($shipment);
            $body = CalculateRequestMapper::map($snapshot, $config, $profileType);
            $answer = $this->answer($config, $body);
        } catch (MappingException $e) {
            $result->addError(new Error($e->getMessage(), 'OZONROCKET_INPUT'));

            return $result;
        } catch (BridgeError $e) {
            $result->addError(new Error(self::buyerMessage($e), 'OZONROCKET_BRIDGE'));

            return $result;
        } catch (\Throwable $e) {
            $this->logger->warning('CALCULATE_FAILED', get_class($e) . ': ' . $e->getMessage(), (string) $config->deliveryId);
            $result->addError(new Error(Messages::get('OZONROCKET_BRIDGE_UNAVAILABLE'), 'OZONROCKET_INTERNAL'));

            return $result;
        }

        $quote = QuoteChooser::choose($answer, $profileType);
        if ($quote === null) {
            $result->addError(new Error(Messages::get('OZONROCKET_NO_DELIVERY_HERE'), 'OZONROCKET_NO_DELIVERY'));

            return $result;
        }
        self::fill($result, $quote);
        if ($profileType === ProfileType::PICKUP_POINT) {
            $result->setDescription(Messages::get('OZONROCKET_PICKUP_POINT_CHOSEN', ['#ID#' => $snapshot->pickupPointId]));
        }

        return $result;
    }

    /** @param array<string, mixed> $body */
    private function answer(ServiceConfig $config, array $body): CalculateAnswer
    {
        $base = $config->endpoint->baseUrl;
        if (isset(self::$down[$base])) {
            throw self::$down[$base];
        }
        $key = md5($base . "\n" . json_encode($body));
        if (isset(self::$answers[$key])) {
            return self::$answers[$key];
        }
        try {
            $answer = (new BridgeClient($this->transport, $config->endpoint))->calculate($body);
        } catch (BridgeError $e) {
            $this->logger->warning('CALCULATE_FAILED', $e->getMessage() . ' [request ' . $e->requestId . ']', (string) $config->deliveryId);
            if ($e->status === 0) {
                self::$down[$base] = $e;
            }
            throw $e;
        }
        if (count(self::$answers) >= self::MEMO_SIZE) {
            self::$answers = [];
        }

        return self::$answers[$key] = $answer;
    }

    private static function fill(CalculationResult $result, Quote $quote): void
    {
        $result->setDeliveryPrice(Money::toFloat($quote->priceKopecks));
        $result->setPeriodType(CalculationResult::PERIOD_TYPE_DAY);
        if ($quote->daysMin !== null) {
            $result->setPeriodFrom($quote->daysMin);
        }
        if ($quote->daysMax !== null) {
            $result->setPeriodTo($quote->daysMax);
        }
        $result->setPeriodDescription($quote->description !== '' ? $quote->description : self::period($quote));
    }

    private static function period(Quote $quote): string
    {
        if ($quote->daysMin === null || $quote->daysMax === null) {
            return '';
        }
        if ($quote->daysMin === $quote->daysMax) {
            return Messages::get('OZONROCKET_PERIOD_DAYS', ['#DAYS#' => $quote->daysMax]);
        }

        return Messages::get('OZONROCKET_PERIOD_RANGE', ['#FROM#' => $quote->daysMin, '#TO#' => $quote->daysMax]);
    }

    private static function buyerMessage(BridgeError $error): string
    {
        if ($error->isUnavailable()) {
            return Messages::get('OZONROCKET_BRIDGE_UNAVAILABLE');
        }

        return Messages::get('OZONROCKET_CALCULATION_REFUSED', ['#DETAIL#' => $error->detail]);
    }
}
