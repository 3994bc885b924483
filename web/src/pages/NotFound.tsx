import { Link, paths } from '../router.ts';

export function NotFound() {
  return (
    <div class="empty">
      <h1>Nothing here</h1>
      <p>
        This address is not a page of Stratus. <Link href={paths.experiments()}>Go to the experiments</Link>.
      </p>
    </div>
  );
}
