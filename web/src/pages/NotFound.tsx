import { NotFoundPage } from '../components/common.tsx';
import { Link, paths } from '../router.ts';

export function NotFound() {
  return (
    <NotFoundPage title="Page not found" back={<Link href={paths.experiments()}>Go to the experiments</Link>}>
      This address is not a page of Stratus.
    </NotFoundPage>
  );
}
