/** A command about to be sent to AWS: the service, the SDK command name and its input. */
export interface StorageCommand {
  service: 'dynamodb' | 's3';
  name: string;
  input: Readonly<Record<string, unknown>>;
}

type Observer = (command: StorageCommand) => void;

let observer: Observer | undefined;

/**
 * In AWS each function's IAM role refuses what its route did not declare. The
 * local stack has no IAM, so it installs an observer here that refuses the same
 * commands (local/route-grants.ts); in Lambda none is installed. An observer
 * that throws stops the command before it is sent.
 */
export function observeStorageCommands(next: Observer | undefined): void {
  observer = next;
}

export function notifyStorageCommand(command: StorageCommand): void {
  observer?.(command);
}
