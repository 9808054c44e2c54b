<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** ext-curl, for the tests' contract run and for shops where Bitrix's HttpClient is missing. */
final class CurlTransport implements Transport
{
    public function request(
        string $method,
        string $url,
        array $headers,
        ?string $body,
        float $connectTimeout,
        float $timeout,
    ): TransportResponse {
        if (!function_exists('curl_init')) {
            throw new TransportException('PHP extension curl is not installed');
        }
        $handle = curl_init($url);
        if ($handle === false) {
            throw new TransportException('curl_init failed for ' . $url);
        }
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        $contentType = '';
        curl_setopt_array($handle, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_CONNECTTIMEOUT_MS => (int) round($connectTimeout * 1000),
            CURLOPT_TIMEOUT_MS => (int) round($timeout * 1000),
            CURLOPT_NOSIGNAL => true,
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$contentType): int {
                if (stripos($line, 'content-type:') === 0) {
                    $contentType = trim(substr($line, 13));
                }

                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($handle, CURLOPT_POSTFIELDS, $body);
        }
        $answer = curl_exec($handle);
        if (!is_string($answer)) {
            $error = curl_error($handle);
            curl_close($handle);
            throw new TransportException($error !== '' ? $error : 'no answer');
        }
        $status = (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        curl_close($handle);

        return new TransportResponse($status, $answer, $contentType);
    }
}
