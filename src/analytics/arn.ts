/** Resource names from ARNs: Sluice resolves every ARN to a local resource by its last path segment. */

/** `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME` → NAME; a bare name passes through. */
export function streamNameFromArn(arn: string): string {
  return resourceName(arn, 'stream/');
}

/** `arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME` → NAME. */
export function deliveryStreamNameFromArn(arn: string): string {
  return resourceName(arn, 'deliverystream/');
}

function resourceName(arn: string, marker: string): string {
  if (!arn.startsWith('arn:')) return arn;
  const at = arn.lastIndexOf(marker);
  if (at < 0) throw new Error(`${arn} is not a ${marker.slice(0, -1)} ARN`);
  return arn.slice(at + marker.length);
}
